"""Onboarding: the device configuration that points a fleet at this deployment, and a doctor
that checks, per device of the inventory, what has arrived in the lake."""
