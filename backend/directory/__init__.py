"""The directory of provider organisations (社会组织) and volunteer teams, the scored subjects."""
