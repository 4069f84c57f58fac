"""The community's service catalogue (指导性目录) and the organisations that provide services."""
