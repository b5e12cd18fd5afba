"""DRG grouping: interprets the rule tables of a scheme (knowledge/drg/<scheme>/) exactly, with a trail."""
