"""Small data files shipped with neuroflow (see README.txt for sources and licences)."""
