"""Markers for editors and researchers: OTIO, CMX3600 EDL, Avid ALE, ELAN EAF."""
