"""Sales pages: orders (list, form, detail, approvals) and the catalog (products, price policies)."""
