"""Dispatch, one stage: a letter and its copies from queued to sent, failed, in doubt,
withdrawn or posted, through named transitions that each write their audit event; the post
room; and the one read model of a letter's delivery state."""
