"""Talking to AWS: the target and its clients, the one request path (pacing, retries, error classes), discovery."""
