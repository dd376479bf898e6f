"""The supervision rules of the Spreidingswet: which trede comes next (the ladder) and how a
term's deadline is counted (working days, holidays)."""
