"""A Whoosh postings format whose word positions numpy can read in bulk.

Whoosh's own ``Positions`` format pickles each posting's positions (about a
microsecond each to read back, thirteen million of them at 100,000
reports). ``ArrayPositions`` stores the same positions as a little-endian
``uint32`` array behind its count, so a whole block of postings becomes one
``numpy.frombuffer``. Whoosh's phrase queries and highlighter read it
through the usual ``decode_positions``.
"""

from array import array

from whoosh.formats import Positions

# Every posting value is [count, position, position, ...] as uint32, native
# little-endian (the index is read on the machine kind that wrote it).
_ITEMSIZE = array("I").itemsize
assert _ITEMSIZE == 4


class ArrayPositions(Positions):
    def encode(self, poslist):
        return array("I", [len(poslist), *poslist]).tobytes()

    def decode_positions(self, valuestring):
        values = array("I")
        values.frombytes(valuestring)
        return values[1:].tolist()

    def decode_frequency(self, valuestring):
        values = array("I")
        values.frombytes(valuestring[:_ITEMSIZE])
        return values[0]

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost
