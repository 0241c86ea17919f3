"""The service: one account's state and SiteWise's rules per resource family, with quotas, latencies and faults."""
