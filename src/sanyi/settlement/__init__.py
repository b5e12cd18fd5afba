"""Settlement (医保结算): policy packages applied to claims, exactly, explained and idempotent."""
