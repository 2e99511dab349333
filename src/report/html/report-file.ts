/** The name of the report a run or group directory keeps beside its summary (`dispatch report`, --on-finish, --pr). */
export const REPORT_FILE = 'report.html';
