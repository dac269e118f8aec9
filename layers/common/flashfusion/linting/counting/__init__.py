"""How each platform counts the length of a post: X's weighted length, graphemes, Mastodon's rules.

Every counter here follows a published rule or reference implementation, named in its module.
"""
