"""The consolidated plan as documents: Word (Nghị định 30 layout) and Excel (to sort and print)."""

from domain.documents.excel import xlsx_bytes
from domain.documents.model import Filing, ItemAnswer, MeasureLine, Section, Tally
from domain.documents.word import docx_bytes

__all__ = ["Filing", "ItemAnswer", "MeasureLine", "Section", "Tally", "docx_bytes", "xlsx_bytes"]
