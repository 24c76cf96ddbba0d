"""Team work: plans and tasks, periodic reports, meetings, the experience library and the suggestion box."""
