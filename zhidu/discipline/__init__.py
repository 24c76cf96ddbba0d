"""Rewards and penalties: sanction policies per article, proposals, approval, appeals, and their records."""
