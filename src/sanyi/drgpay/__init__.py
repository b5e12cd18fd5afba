"""DRG point-method payment (DRGs点数法) and hospital DRG evaluation; enter through ``api``."""
