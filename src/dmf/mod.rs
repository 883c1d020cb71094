//! Data management (DMF) package API: typed calls to the package actions of
//! `DataManagementDefinitionGroups` and the export and import flows built on them.
