// Loaded with --wire fno only (see lib/wire-fno.js): F&O's ETag is base64 of 'RecVersion,RecId',
// kept in a hidden column that becomes the ETag source instead of ModifiedDateTime.
using { Microsoft.Dynamics.DataEntities as fno } from '../srv/model';

extend aspect fno.Versioned with {
  @odata.etag
  @cds.api.ignore
  RecVersionETag : String(100);
}

annotate fno.Versioned with {
  ModifiedDateTime @odata.etag: false;
}
