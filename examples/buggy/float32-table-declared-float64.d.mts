declare const subject: Record<string, unknown> & { hello: Record<string, unknown> };
export default subject;
