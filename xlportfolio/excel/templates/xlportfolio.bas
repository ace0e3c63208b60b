Attribute VB_Name = "XlpRibbon"
' xlportfolio ribbon: every button calls this; RunPython is in xlwings.xlam
Sub XlpOnAction(control As IRibbonControl)
    Application.Run "'xlwings.xlam'!RunPython", "import xlportfolio.excel.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub
