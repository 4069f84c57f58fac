"""Volunteers: service hours, the points ledger (time bank), rewards, party-member registration."""
