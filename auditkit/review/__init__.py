"""Reviewing findings: the durable review log and the reviewer widget."""
