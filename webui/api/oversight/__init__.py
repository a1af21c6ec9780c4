"""Reports and printed registers in the JSON API, with their answer shapes."""
