"""The town's view: impact dashboard, open data and carpool proofs."""
