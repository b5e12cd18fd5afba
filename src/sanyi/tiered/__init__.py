"""Tiered care (分级诊疗): family-doctor contracts, referrals, booking, mutual recognition of results."""
