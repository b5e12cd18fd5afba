"""Care records: encounters (visits and stays) with diagnoses, procedures and fee lines."""
