"""Quality engine: checks derived from ODCS contracts, compiled to SQL, run where the data lives."""
