"""Sales writes: catalog and price policy, orders and their review, targets and their split."""
