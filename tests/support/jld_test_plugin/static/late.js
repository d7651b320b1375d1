window.jldLate = "late script ran";
