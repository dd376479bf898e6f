"""E-mail: the message of a letter, queueing (frozen messages), sending (claims, runs,
transports) and the delivery report."""
