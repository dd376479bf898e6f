"""What config/ holds, loaded and checked one file per module, who a letter goes to, and
``ibtpost import``."""
