"""Customer development: every write (services), reads (selectors), reminders, Excel in and out."""
