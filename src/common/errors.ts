// Errors carry the HTTP status the Engine API gives them, so the server can answer
// `{"message": ...}` with Docker's status code without a mapping table.
export class ApiError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export const badParameter = (message: string) => new ApiError(400, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const notFound = (message: string) => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
export const notModified = (message = '') => new ApiError(304, message);
export const serverError = (message: string) => new ApiError(500, message);

export const noSuchContainer = (ref: string) => notFound(`No such container: ${ref}`);
export const noSuchImage = (ref: string) => notFound(`No such image: ${ref}`);
export const noSuchExec = (ref: string) => notFound(`No such exec instance: ${ref}`);

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
