"""Great Expectations invariants: check frames (SQL over the warehouse) validated by JSON suites."""
