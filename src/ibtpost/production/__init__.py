"""Making letters: which municipalities (selection), the production engine and its sinks
(batch folder, single letter), manifests and supervision cases."""
