import { ChainsightError } from "../oci/errors";

/** Errors of the server layer (configuration and API input), apart from registry errors. */

/** The configuration is invalid; the message names the key and what to do. */
export class ConfigError extends ChainsightError {
  static readonly CODE = "CONFIG_INVALID";
  readonly code = "CONFIG_INVALID";
}

/** A request names a registry id that is not configured. */
export class UnknownRegistryError extends ChainsightError {
  static readonly CODE = "UNKNOWN_REGISTRY";
  readonly code = "UNKNOWN_REGISTRY";
  constructor(
    readonly registryId: string,
    known: string[],
  ) {
    super(
      `no registry with id ${JSON.stringify(registryId)} is configured${known.length ? `; configured: ${known.join(", ")}` : "; the configuration lists no registries"}`,
    );
  }
}

/** Request input that failed validation: which parameter, and why. */
export class BadRequestError extends ChainsightError {
  static readonly CODE = "BAD_REQUEST";
  readonly code = "BAD_REQUEST";
  constructor(
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

/** A request the server understands but will not do as asked (e.g. a sort too costly for the repository). */
export class UnprocessableError extends ChainsightError {
  static readonly CODE = "UNPROCESSABLE";
  readonly code = "UNPROCESSABLE";
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** The registry does not offer what was asked (e.g. it does not list its catalog) and nothing is configured instead. */
export class NotAvailableError extends ChainsightError {
  static readonly CODE = "NOT_AVAILABLE";
  readonly code = "NOT_AVAILABLE";
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}
