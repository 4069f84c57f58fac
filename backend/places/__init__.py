"""Places: district → street → community → grid → building."""
