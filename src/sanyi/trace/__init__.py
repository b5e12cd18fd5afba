"""Drug traceability (药品追溯, 一物一码): codes, their chain of events, duplicates, the public query."""
