"""The documents: the consolidated plan (Word in the Nghị định 30 layout, and Excel), the
period's results (Word and Excel) and the proposals (Excel).

Import the builders from their modules (``word``, ``excel``, ``results``, ``execution``): they
load python-docx and XlsxWriter, which only the report worker needs; ``model`` holds the light
values and labels the chat shares with the documents.
"""
