"""Quantified assessment: KPI definitions per role and period, scorecards, live rankings and frozen snapshots."""
