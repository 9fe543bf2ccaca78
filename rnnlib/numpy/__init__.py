"""The NumPy reference: the hand-rolled cell, backprop through time by hand, the
gradient check.

Every framework's cell is tested against these functions. NumPy only.
"""
