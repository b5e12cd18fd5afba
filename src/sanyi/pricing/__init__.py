"""Price disclosure: service prices, drug prices at zero mark-up and the 按病种收费 list (ADR 0020)."""
