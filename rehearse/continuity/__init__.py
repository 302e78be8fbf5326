"""Continuity: drift between takes of a scene, and wardrobe/makeup across scenes."""
