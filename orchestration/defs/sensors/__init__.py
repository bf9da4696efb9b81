"""Dagster sensors: new landing files, campaign events, run failures."""
