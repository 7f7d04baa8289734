"""Readers for each article format: plain text with front matter, HTML, JSON Lines, CSV.

Each turns bytes into article text plus the metadata the input states, or `PATH:LINE`
problems; none of them touches the database.
"""
