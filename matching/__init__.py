"""Search and ranking: Chinese full-text search, facets and recommendations.

Built in the matching issue; this package is where it lives.
"""
