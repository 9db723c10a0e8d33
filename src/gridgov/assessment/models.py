"""The classified assessment of streets and communities, and of departments by the streets
that summoned them (issue 13, docs/decisions/0035)."""
