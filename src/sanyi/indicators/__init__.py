"""Reform indicators: catalogue-driven values over the area tree and periods, targets, approval."""
