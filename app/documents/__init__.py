"""Documents: Thai PDFs (ReportLab with HarfBuzz shaping and ICU word breaks) and Excel workbooks."""
