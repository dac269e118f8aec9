export const SEVERITY_RANK = { error: 3, warning: 2, suggestion: 1 };

/** The worst severity among violations ("none" when there are none). */
export function worstSeverity(violations) {
  let worst = "none";
  for (const v of violations || []) {
    if ((SEVERITY_RANK[v.severity] || 0) > (SEVERITY_RANK[worst] || 0)) worst = v.severity;
  }
  return worst;
}

export function severityLabel(severity) {
  return { error: "Error", warning: "Warning", suggestion: "Suggestion", none: "None" }[severity] || severity;
}
