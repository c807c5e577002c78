"""The data of the reader-state matrix (ceangal/tests/test_consent_state_matrix.py): the world and
the states a reader can be in (world.py), the views and the known policy gaps (views.py)."""
