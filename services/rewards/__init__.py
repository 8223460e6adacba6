"""Rewards: consequences of annual evaluations — incentive, awards, promotion eligibility, pembinaan."""
