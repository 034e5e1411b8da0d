import type { z } from "zod";

import { HttpError } from "./http-error.js";

/** A zod failure as the API's 422: one `{ path, message }` per problem. */
export function validationError(error: z.ZodError, message = "Request body is invalid"): HttpError {
  const details = error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
  return new HttpError(422, "validation_error", message, details);
}
